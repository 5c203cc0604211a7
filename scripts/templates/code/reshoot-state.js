// This reshoot's own record of the shot as QC left it (new take and charges included), in a file
// no other execution writes: two reshoots of one run at once can never drop each other's take.
const request = $('Reshoot Request').first().json;
return [{ json: { runId: request.runId, reshoot: request.shotId, execution: String($execution.id), writtenAt: new Date().toISOString(), item: $json } }];
