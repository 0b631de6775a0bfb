"""`owed demo`: a realistic company whose whole AR cycle runs in one command."""
