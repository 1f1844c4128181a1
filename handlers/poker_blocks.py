"""Block Kit for planning poker: the poll message, cards, results and estimate history."""
