package wordpress

// WithoutLead is withoutLead, for the external tests.
var WithoutLead = withoutLead
