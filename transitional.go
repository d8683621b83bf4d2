package tempcreds

// Transitional: chain still calls these until it uses the STS rules table.

// ValidSessionName reports whether s is a valid role session name.
func ValidSessionName(s string) bool { return validSessionName(s) }

// MaxTokenSize is the largest MinimumSessionTokenSize STS accepts.
const MaxTokenSize = maxTokenSize
