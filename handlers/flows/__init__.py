"""What several features run across Slack calls: poker rounds, meetings, sprint planning."""
