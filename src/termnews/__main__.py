from termnews.launch import main

raise SystemExit(main())
