#!/usr/bin/env python
"""Django's manage.py, kept for habit; `xuanpei` does the same."""

from xuanpei.cli import main

if __name__ == "__main__":
    main()
