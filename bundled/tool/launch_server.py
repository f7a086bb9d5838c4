"""Start the Hotswap language server from the installed VS Code extension.

The extension's own `hotswap` package and the libraries bundled with it (pygls, lsprotocol,
cattrs, attrs) go first on sys.path, so the server runs with the versions it was tested with
whatever else the interpreter has installed; `jupyter_client` (not bundled: it needs the
compiled pyzmq) comes from the interpreter's own site-packages.
"""

import os
import runpy
import sys

if sys.version_info < (3, 11):
    sys.stderr.write("Hotswap needs Python 3.11 or newer; this is %s.\n" % sys.version.split()[0])
    sys.exit(1)

_EXTENSION = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
for _path in reversed((os.path.join(_EXTENSION, "python_helper"), os.path.join(_EXTENSION, "bundled", "libs"))):
    if _path not in sys.path:
        sys.path.insert(0, _path)

runpy.run_module("hotswap.lsp", run_name="__main__", alter_sys=True)
