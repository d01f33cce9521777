"""kubectl: parsing command lines and printing results the way the real client does."""
