"""Writes. Views, consumers and tasks stay thin and call these."""
