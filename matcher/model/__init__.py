"""The data and its rules: the event and schedule files, the hard rules, checks without a solver."""
