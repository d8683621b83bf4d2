package cli

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// addCompletions registers value completion on every command of the tree:
// profile names for --profile, the formats for --format, the MFA modes.
func (a *app) addCompletions(c *cobra.Command) {
	values := map[string]func(prefix string) []string{
		"profile": a.profileNames,
		"format": func(string) []string {
			if f, ok := c.Flags().Lookup("format").Value.(*choiceFlag); ok {
				return f.choices
			}
			return nil
		},
		"mfa-mode": func(string) []string { return []string{"session", "role"} },
	}
	c.Flags().VisitAll(func(f *pflag.Flag) {
		complete, ok := values[f.Name]
		if !ok {
			return
		}
		_ = c.RegisterFlagCompletionFunc(f.Name, func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
			var out []string
			for _, v := range complete(prefix) {
				if strings.HasPrefix(v, prefix) {
					out = append(out, v)
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		})
	})
	for _, sub := range c.Commands() {
		a.addCompletions(sub)
	}
}
