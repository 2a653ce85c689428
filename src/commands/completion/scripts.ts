// The scripts `mcp-cli completion SHELL` prints. Each asks `mcp-cli __complete -- WORDS... CURRENT`
// for the candidates (one a line; `:files` alone means "complete file names") and hands them to
// the shell's own completion, which adds nothing of its own: every answer comes from the command
// table and, for server and token names, from server_config.json and the active backend.

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const BASH = `# mcp-cli completion for bash: eval "$(mcp-cli completion bash)" in ~/.bashrc
_mcp_cli_complete() {
  local cur=\${COMP_WORDS[COMP_CWORD]} out line
  out=$(command mcp-cli __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null </dev/null) || return
  COMPREPLY=()
  if [[ $out == ":files" ]]; then
    out=$(compgen -f -- "$cur")
    compopt -o filenames 2>/dev/null
  fi
  # Read line by line, never through compgen -W or an unquoted $(...): those would expand a
  # name's $(...), backticks or globs.
  while IFS= read -r line; do [[ -n $line ]] && COMPREPLY+=("$line"); done <<<"$out"
}
complete -F _mcp_cli_complete mcp-cli
`;

const ZSH = `#compdef mcp-cli
# mcp-cli completion for zsh: eval "$(mcp-cli completion zsh)" in ~/.zshrc (after compinit),
# or save it as _mcp-cli in a directory of $fpath.
_mcp_cli() {
  local -a candidates
  candidates=("\${(@f)$(command mcp-cli __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null </dev/null)}")
  if [[ \${candidates[1]} == ":files" ]]; then
    _files
  elif (( \${#candidates} )) && [[ -n \${candidates[1]} ]]; then
    compadd -- "\${candidates[@]}"
  fi
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _mcp_cli "$@"
else
  compdef _mcp_cli mcp-cli
fi
`;

const FISH = `# mcp-cli completion for fish: mcp-cli completion fish | source (or save it in ~/.config/fish/completions/mcp-cli.fish)
function __mcp_cli_complete
  set -l words (commandline -opc)[2..-1] (commandline -ct)
  set -l out (command mcp-cli __complete -- $words 2>/dev/null </dev/null)
  if test "$out" = ":files"
    __fish_complete_path (commandline -ct)
  else
    printf '%s\\n' $out
  end
end
complete -c mcp-cli -f -a '(__mcp_cli_complete)'
`;

export const SCRIPTS: Record<Shell, string> = { bash: BASH, zsh: ZSH, fish: FISH };
