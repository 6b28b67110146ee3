"""Exchange of lists with the outside world: reading files people send, finding their tables."""
