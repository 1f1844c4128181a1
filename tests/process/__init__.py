"""Real `timebox run` processes: start, stop, kill -9 and restart, several instances."""
