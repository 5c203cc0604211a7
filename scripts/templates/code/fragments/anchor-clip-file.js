const SAFE_FILE = /(?!)/; // @from anchorClipFile
