"""The desktop keyboard helper: emoji suggestions while typing in any application.

Data flow, one thread per job:
  pynput listener thread  keys.KeyTranslator → queue.SimpleQueue of events   (never blocks a keystroke)
  Tk main thread          helper.DesktopHelper: buffer → debounce → Assistant.suggest → popup
  typing back             output.Typist (pynput Controller) after a pick

`emoji-assistant desktop ...` is desktop_command.py; its settings are desktop_settings.py;
`desktop bench` (keystroke-to-popup latency) is popup_bench.py.

Optional parts (pynput, tkinter, python-xlib) are imported only by the modules that need
them; a missing one names the extra to install: pip install 'emoji-assistant[desktop]'.
"""
