"""termnews: a terminal news reader built on Textual."""

__version__ = "0.1.0"

#: Where the project lives: sent in the User-Agent so a site's operator can find us.
PROJECT_URL = "https://github.com/termnews/termnews"
