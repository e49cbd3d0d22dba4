#!/usr/bin/env python3
# -*- coding: utf-8 -*-
import os  # noqa: F401  (re-exported for plugins)


def main():  # pragma: no cover
    """Entry point for the command line."""
    return 0
