package jobs

import (
	"encoding/json"
	"fmt"

	"omnicast/channels/sim"
)

// demoTemplates are approved WhatsApp templates of the demo workspace, with
// header and body parameters and quick-reply buttons, as the API lists them.
func demoTemplates() []string {
	return []string{
		`{"name":"spring_promo","language":"zh_TW","status":"APPROVED","category":"MARKETING","id":"1001","components":[
			{"type":"HEADER","format":"TEXT","text":"{{1}} 春季優惠","example":{"header_text":["好日子咖啡"]}},
			{"type":"BODY","text":"{{1}} 您好！本週全店咖啡豆 {{2}} 折，憑此訊息再送手工餅乾一份。","example":{"body_text":[["陳小姐","85"]]}},
			{"type":"FOOTER","text":"回覆「取消訂閱」即不再收到優惠"},
			{"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"我有興趣"},{"type":"QUICK_REPLY","text":"取消訂閱"}]}]}`,
		`{"name":"order_ready","language":"en_US","status":"APPROVED","category":"UTILITY","id":"1002","components":[
			{"type":"BODY","text":"Hi {{1}}, your order {{2}} is ready for pick-up at our {{3}} store.","example":{"body_text":[["Ka Ming","#1024","Causeway Bay"]]}},
			{"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"On my way"},{"type":"QUICK_REPLY","text":"Change time"}]}]}`,
		`{"name":"member_birthday","language":"zh_HK","status":"APPROVED","category":"MARKETING","id":"1003","components":[
			{"type":"HEADER","format":"IMAGE","example":{"header_handle":["https://example.com/cake.jpg"]}},
			{"type":"BODY","text":"{{1}}，生日快樂！🎂 送您一張 {{2}} 元禮券，本月內有效。","example":{"body_text":[["黃先生","100"]]}},
			{"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"領取禮券"}]}]}`,
		`{"name":"new_menu_pending","language":"zh_TW","status":"PENDING","category":"MARKETING","id":"1004","components":[
			{"type":"BODY","text":"新菜單即將上市，{{1}} 敬請期待！","example":{"body_text":[["各位朋友"]]}}]}`,
	}
}

func addDemoTemplates(s *sim.Sim, wabaID string) error {
	for _, raw := range demoTemplates() {
		if err := s.AddTemplateJSON(wabaID, json.RawMessage(raw)); err != nil {
			return fmt.Errorf("jobs: demo template: %w", err)
		}
	}
	return nil
}
