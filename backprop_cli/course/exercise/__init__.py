"""Seeded exercises: the options, the random stream from a seed, the rules a network must satisfy to be
worked by hand, the text of its config, and the files of an exercise set."""
