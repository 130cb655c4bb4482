package lexi

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/wbk/crm/models"
)

// The provider's loop: send the conversation, run the tools the model calls, send their
// results back, until the model answers in words.

// ProviderSystemPrompt is the system message of every request.
const ProviderSystemPrompt = `You are Lexi, the assistant of a CRM. You work for exactly one workspace: the one of the person you are talking to. You can see only its contacts, deals, lists and campaigns, and the shared prospect catalog.

Rules:
- Use the tools for every fact about the workspace (counts, names, emails, stages). Never guess or invent data; if a tool returns nothing, say so.
- You cannot change anything yourself. To change data, call a propose_* tool: it creates a task that a person with write access must approve before anything changes. Say that the change is proposed and waiting for approval, never that it is done.
- Propose only what the user asked for. If a propose tool returns an error, explain it or fix the arguments; do not retry the same call.
- Answer briefly, in plain text.`

// Reply answers one message, calling the model until it answers without tools.
func (p *Provider) Reply(ctx context.Context, history []*models.LexiMessage, message string) (string, []Proposal, error) {
	callCtx, cancel := context.WithTimeout(ctx, p.timeout())
	defer cancel()

	msgs := make([]chatMessage, 0, len(history)+2)
	msgs = append(msgs, chatMessage{Role: "system", Content: msgText(ProviderSystemPrompt)})
	for _, m := range history {
		role := "user"
		if m.Role == models.LexiRoleAssistant {
			role = "assistant"
		}
		msgs = append(msgs, chatMessage{Role: role, Content: msgText(m.Content)})
	}
	msgs = append(msgs, chatMessage{Role: "user", Content: msgText(message)})

	run := &toolRun{p: p, pr: &proposer{st: p.Store}, seen: map[string]bool{}}
	for round := 0; ; round++ {
		answer, err := p.complete(callCtx, msgs)
		if err != nil {
			return "", nil, p.failure(ctx, callCtx, err)
		}
		if len(answer.ToolCalls) == 0 {
			reply := cleanModelReply(answer.text())
			if reply == "" {
				if len(run.proposals) == 0 {
					return "", nil, p.failure(ctx, callCtx, &providerError{public: "the model returned an empty answer", detail: "no text and no tool calls"})
				}
				reply = summarizeProposals(run.proposals)
			}
			return reply, run.proposals, nil
		}
		if round == p.maxRounds() {
			return "", nil, p.failure(ctx, callCtx, &providerError{public: fmt.Sprintf("the model still called tools after %d rounds", round), detail: "tool loop"})
		}
		calls := answer.ToolCalls
		for i := range calls {
			if calls[i].ID == "" { // some local servers leave it out
				calls[i].ID = fmt.Sprintf("call_%d_%d", round, i)
			}
			if calls[i].Type == "" {
				calls[i].Type = "function"
			}
		}
		msgs = append(msgs, chatMessage{Role: "assistant", Content: answer.Content.orNil(), ToolCalls: calls})
		for i, c := range calls {
			var result string
			if i >= maxToolCallsPerRound {
				result = toolError(fmt.Sprintf("too many tool calls at once; at most %d per answer", maxToolCallsPerRound))
			} else if result, err = run.call(callCtx, c.Function.Name, c.Function.Arguments.text()); err != nil {
				if callCtx.Err() != nil {
					return "", nil, p.failure(ctx, callCtx, callCtx.Err())
				}
				return "", nil, err
			}
			msgs = append(msgs, chatMessage{Role: "tool", ToolCallID: c.ID, Content: msgText(result)})
		}
	}
}

// summarize is the reply when the model proposed tasks but said nothing.
func summarizeProposals(ps []Proposal) string {
	titles := make([]string, len(ps))
	for i, p := range ps {
		titles[i] = p.Title
	}
	if len(ps) == 1 {
		return "I've prepared a task for your approval: " + titles[0] + ". " + approveNote
	}
	return fmt.Sprintf("I've prepared %d tasks for your approval: %s. Nothing changes until a key with WRITE approves them.",
		len(ps), strings.Join(titles, "; "))
}

// toolRun executes one Reply's tool calls and collects its proposals.
type toolRun struct {
	p         *Provider
	pr        *proposer
	proposals []Proposal
	seen      map[string]bool
}

// badArgs is an error the model made; it goes back to the model as the tool's result.
type badArgs string

func (e badArgs) Error() string { return string(e) }

func toolError(msg string) string {
	out, _ := json.Marshal(map[string]string{"error": msg})
	return string(out)
}

func toolJSON(v any) string {
	out, err := json.Marshal(v)
	if err != nil {
		return toolError("internal error")
	}
	return string(out)
}
