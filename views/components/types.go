package components

// Flash is a one-time message; Message is a catalogue id.
type Flash struct {
	Kind    string
	Message string
}

// InputField describes one text-like input; Label, Hint and Error are
// catalogue ids.
type InputField struct {
	Name         string
	Type         string
	Label        string
	Value        string
	Error        string
	Hint         string
	Placeholder  string
	Autocomplete string
	Required     bool
}
