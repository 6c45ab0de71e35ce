"""A real Tk text field for the desktop end-to-end tests: it takes the focus and writes
its content to the file given as argv[1] whenever it changes."""
import sys
import tkinter as tk

root = tk.Tk(className="textfield")
root.title("test text field")
root.geometry("500x120+40+40")
text = tk.Text(root, width=50, height=4)
text.pack()
text.focus_force()
out = sys.argv[1]
last = None


def dump():
    global last
    content = text.get("1.0", "end-1c")
    if content != last:
        with open(out + ".tmp", "w", encoding="utf-8") as f:
            f.write(content)
        import os

        os.replace(out + ".tmp", out)
        last = content
    root.after(50, dump)


root.after(50, dump)
root.mainloop()
