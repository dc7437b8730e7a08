package views

// TokenRow is one API token in the tokens list.
type TokenRow struct {
	ID        uint
	Name      string
	Prefix    string
	Owner     string
	CreatedAt string
	LastUsed  string // "" when never used
	RevokedAt string // "" while live
}

// TokenOwner is a user a new token may act for.
type TokenOwner struct {
	ID    uint
	Label string
}

// TokensPage is the API tokens page: the list, the create form and, right
// after creating, the new secret (shown this once).
type TokensPage struct {
	Tokens    []TokenRow
	Owners    []TokenOwner
	Name      string
	OwnerID   uint
	Errors    FormErrors
	NewSecret string
	NewName   string
	APIBase   string // e.g. https://omnicast.example.com/api/v1
}
