// Removes dist/ so a build never ships files whose sources were deleted.
require('node:fs').rmSync(require('node:path').join(__dirname, '..', 'dist'), {
	recursive: true,
	force: true,
});
