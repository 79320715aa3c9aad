"""The package version (read by the build, the CLI and every report)."""
__version__ = "0.1.0"
