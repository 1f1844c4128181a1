"""The running process: the Bolt app wired to the listeners, its HTTP or Socket Mode server, and
the command line. It sits over every other layer and nothing imports it but the local Slack."""
