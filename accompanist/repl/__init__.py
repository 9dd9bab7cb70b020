"""`accompanist repl`: an interactive prompt for experiments with melodies, models and live play.

``session`` holds the state, ``commands`` the table of commands (each a handler that returns
the text to print), ``parse`` the typed-melody grammar, ``completion`` tab completion,
``prompt`` the thin loop; ``compare``, ``experiments``, ``output``, ``render`` and ``listen``
do the work of the commands of the same names.
"""
