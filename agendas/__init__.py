"""agendas."""
