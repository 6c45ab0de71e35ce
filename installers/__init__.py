"""Autostart files for the desktop helper (installers/desktop), installed as package data of `assistant.desktop.installers`."""
