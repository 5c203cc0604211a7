// Only the campaigns this batch's claim updated go on: the claim changes a row only while it is
// still queued (compare and swap), so a batch that fires beside another renders none of its campaigns.
const batch = String($execution.id);
const claimed = new Set($input.all().map((item) => item.json).filter((row) => row.id !== undefined && String(row.batch) === batch).map((row) => row.id));
return $('Campaign Briefs').all().filter((item) => claimed.has(item.json.campaign.id)).map((item) => ({ json: item.json }));
