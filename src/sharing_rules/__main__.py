"""``python -m sharing_rules``: the command line (see ``sharing-rules --help``)."""

from ._cli import main

if __name__ == "__main__":
    main()
