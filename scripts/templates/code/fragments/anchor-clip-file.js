const SAFE_FILE = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._:-]*-anchor-[A-Za-z][A-Za-z0-9_]{2,15}\.mp4$/;
