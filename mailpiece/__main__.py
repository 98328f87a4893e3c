"""`python -m mailpiece` runs the command line."""

from mailpiece.cli import main

main()
