package twenty

import "github.com/twenty-go/twenty/api"

// Typed access to the standard objects; NewResource covers any other.

// People are contacts.
func (c *Client) People() *Resource[api.PersonForResponse, api.Person, api.PersonForUpdate] {
	return NewResource[api.PersonForResponse, api.Person, api.PersonForUpdate](c, "people")
}

// Companies are organisations.
func (c *Client) Companies() *Resource[api.CompanyForResponse, api.Company, api.CompanyForUpdate] {
	return NewResource[api.CompanyForResponse, api.Company, api.CompanyForUpdate](c, "companies")
}

// Opportunities are deals.
func (c *Client) Opportunities() *Resource[api.OpportunityForResponse, api.Opportunity, api.OpportunityForUpdate] {
	return NewResource[api.OpportunityForResponse, api.Opportunity, api.OpportunityForUpdate](c, "opportunities")
}

// Notes are free-form notes.
func (c *Client) Notes() *Resource[api.NoteForResponse, api.Note, api.NoteForUpdate] {
	return NewResource[api.NoteForResponse, api.Note, api.NoteForUpdate](c, "notes")
}

// Tasks are to-do items.
func (c *Client) Tasks() *Resource[api.TaskForResponse, api.Task, api.TaskForUpdate] {
	return NewResource[api.TaskForResponse, api.Task, api.TaskForUpdate](c, "tasks")
}

// NoteTargets link notes to records.
func (c *Client) NoteTargets() *Resource[api.NoteTargetForResponse, api.NoteTarget, api.NoteTargetForUpdate] {
	return NewResource[api.NoteTargetForResponse, api.NoteTarget, api.NoteTargetForUpdate](c, "noteTargets")
}

// TaskTargets link tasks to records.
func (c *Client) TaskTargets() *Resource[api.TaskTargetForResponse, api.TaskTarget, api.TaskTargetForUpdate] {
	return NewResource[api.TaskTargetForResponse, api.TaskTarget, api.TaskTargetForUpdate](c, "taskTargets")
}

// Attachments are files attached to records.
func (c *Client) Attachments() *Resource[api.AttachmentForResponse, api.Attachment, api.AttachmentForUpdate] {
	return NewResource[api.AttachmentForResponse, api.Attachment, api.AttachmentForUpdate](c, "attachments")
}

// TimelineActivities are the events on records' timelines.
func (c *Client) TimelineActivities() *Resource[api.TimelineActivityForResponse, api.TimelineActivity, api.TimelineActivityForUpdate] {
	return NewResource[api.TimelineActivityForResponse, api.TimelineActivity, api.TimelineActivityForUpdate](c, "timelineActivities")
}

// Favorites are pinned records and views.
func (c *Client) Favorites() *Resource[api.FavoriteForResponse, api.Favorite, api.FavoriteForUpdate] {
	return NewResource[api.FavoriteForResponse, api.Favorite, api.FavoriteForUpdate](c, "favorites")
}

// WorkspaceMembers are the workspace's users.
func (c *Client) WorkspaceMembers() *Resource[api.WorkspaceMemberForResponse, api.WorkspaceMember, api.WorkspaceMemberForUpdate] {
	return NewResource[api.WorkspaceMemberForResponse, api.WorkspaceMember, api.WorkspaceMemberForUpdate](c, "workspaceMembers")
}
