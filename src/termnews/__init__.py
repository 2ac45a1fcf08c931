"""termnews: a terminal news reader built on Textual."""

__version__ = "0.1.0"
