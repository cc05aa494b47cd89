"""``python -m chaingraph`` runs the command line (the same as the ``chaingraph`` script)."""

from chaingraph.cli import main

if __name__ == "__main__":
    main()
