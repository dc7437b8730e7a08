package views

import "strconv"

// ReportTimeline is the picture of a broadcast's sends and reads per
// minute (already worded).
type ReportTimeline struct {
	Title, SentLabel, ReadLabel, Empty, Help, Desc string
	From, To                                       string
	Buckets                                        []TimelineBar
}

// TimelineBar is one minute: its label (HH:MM) and counts.
type TimelineBar struct {
	Minute     string
	Sent, Read int64
}

// Geometry of the timeline's SVG: 360 wide, so that at 390 px it is
// drawn at about its own size and its 12-unit text stays readable.
const (
	tlWidth  = 360
	tlLeft   = 36
	tlTop    = 8
	tlHeight = 120
)

func (t ReportTimeline) max() int64 {
	var m int64 = 1
	for _, b := range t.Buckets {
		m = max(m, b.Sent, b.Read)
	}
	return m
}

// barWidth is the width of one minute's slot.
func (t ReportTimeline) slot() float64 {
	return float64(tlWidth-tlLeft) / float64(max(len(t.Buckets), 1))
}

func (t ReportTimeline) barX(i int, read bool) string {
	x := float64(tlLeft) + float64(i)*t.slot()
	if read {
		x += t.slot() / 2
	}
	return ftoa(x)
}

func (t ReportTimeline) barW() string { return ftoa(max(t.slot()/2-0.3, 0.6)) }

func (t ReportTimeline) barY(n int64) string {
	return ftoa(float64(tlTop+tlHeight) - t.barHeight(n))
}

func (t ReportTimeline) barH(n int64) string { return ftoa(t.barHeight(n)) }

func (t ReportTimeline) barHeight(n int64) float64 {
	return float64(tlHeight) * float64(n) / float64(t.max())
}

func (t ReportTimeline) maxLabel() string { return Grouped(t.max()) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func itoaT(n int) string { return strconv.Itoa(n) }
