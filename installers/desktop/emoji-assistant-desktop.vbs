' Starts the emoji-assistant desktop helper at sign-in, without a console window.
' Copied to the Startup folder by `emoji-assistant desktop install-autostart`,
' which fills in the path of pythonw.exe.
Set shell = CreateObject("WScript.Shell")
shell.Run """@PYTHONW@"" -m assistant desktop run", 0, False
