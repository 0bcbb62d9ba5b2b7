"""sendconsult: theme analysis of public consultation responses, offline, into an Excel report."""

__version__ = "0.1.0"
