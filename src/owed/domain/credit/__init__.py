"""Credit: order credit checks and credit holds."""
