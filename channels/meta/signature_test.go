package meta

import "testing"

func TestSignature(t *testing.T) {
	body := []byte(`{"object":"page","entry":[]}`)
	sig := Sign("s3cret", body)
	if err := VerifySignature("s3cret", body, sig); err != nil {
		t.Fatalf("valid signature refused: %v", err)
	}
	for _, bad := range []string{"", "sha256=", "sha1=" + sig[7:], sig[:len(sig)-2] + "00", "sha256=zz", Sign("other", body)} {
		if VerifySignature("s3cret", body, bad) == nil {
			t.Errorf("signature %q accepted", bad)
		}
	}
	if VerifySignature("s3cret", append(body, ' '), sig) == nil {
		t.Error("signature of another body accepted")
	}
	if VerifySignature("", body, Sign("", body)) == nil {
		t.Error("empty app secret accepted")
	}
}

func TestHandshake(t *testing.T) {
	if c, ok := VerifyHandshake("tok", "subscribe", "tok", "123"); !ok || c != "123" {
		t.Fatalf("good handshake = %q %v", c, ok)
	}
	for _, c := range [][3]string{{"subscribe", "bad", "1"}, {"unsubscribe", "tok", "1"}, {"", "", ""}} {
		if _, ok := VerifyHandshake("tok", c[0], c[1], c[2]); ok {
			t.Errorf("handshake %v accepted", c)
		}
	}
	if _, ok := VerifyHandshake("", "subscribe", "", "1"); ok {
		t.Error("empty verify token accepted")
	}
}

func FuzzVerifySignature(f *testing.F) {
	f.Add([]byte(`{}`), "sha256=00")
	f.Add([]byte(`{"object":"page"}`), Sign("k", []byte(`{"object":"page"}`)))
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		err := VerifySignature("k", body, header)
		if err == nil && header != Sign("k", body) {
			t.Fatalf("accepted %q for body %q", header, body)
		}
	})
}
