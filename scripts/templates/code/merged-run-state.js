// <runId>-run-state.json rewritten from every execution's record, so the assemble step and any
// reader of the one file see this reshoot (and any that ran beside it).
// @include merge-run-state
const request = $('Reshoot Request').first().json;
return [{ json: mergeRunState(request.runId, $input.all().map((entry) => entry.json.data)) }];
