// JSON log lines: written by the observability work of issue 8.
