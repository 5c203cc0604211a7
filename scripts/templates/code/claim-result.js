// The run is this execution's when its line is the first of <runId>-claims.txt: the file is only
// ever appended to (one line per brief that asked for the run ID), so two briefs with one run ID
// at the same moment agree on the winner. A later brief is refused: it never renders a run twice.
const brief = $('Check Brief').first().json;
const claims = String($json.data ?? '').split('\n').map((line) => line.trim()).filter(Boolean);
if (claims[0] === String($execution.id)) return [{ json: brief }];
return [{ json: { ...brief, refused: { status: 409, field: 'runId', claimedBy: claims[0],
  error: `runId: "${brief.runId}" is already rendering or delivered (claimed by execution ${claims[0]}); this brief was refused and nothing was billed. Send it with a new runId.` } } }];
