"""What each function does with its event, through the ports only."""
