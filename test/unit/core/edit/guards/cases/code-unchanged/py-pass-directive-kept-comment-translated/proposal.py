#!/usr/bin/env python3
# -*- coding: utf-8 -*-
import os  # noqa: F401  （プラグイン向けに再エクスポート）


def main():  # pragma: no cover
    """コマンドラインの入口。"""
    return 0
