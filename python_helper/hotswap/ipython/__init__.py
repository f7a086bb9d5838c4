"""IPython adapter: ``%load_ext hotswap``, ``%autoreload``/``%aimport`` compatible magics,
``%hotswap`` status, file-event change detection and the kernel announcement."""
