"""Sub-commands of the `accompanist` command line, one module each."""
