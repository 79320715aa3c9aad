"""What a person reads: the console report, the conclusion, the monitoring report, the services table."""
