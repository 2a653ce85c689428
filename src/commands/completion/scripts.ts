// The scripts `mcp-cli completion SHELL` prints. Each asks `mcp-cli __complete -- WORDS... CURRENT`
// for the candidates (one a line; `:files` alone means "complete file names") and hands them to
// the shell's own completion, which adds nothing of its own: every answer comes from the command
// table and, for server and token names, from server_config.json and the active backend. zsh, fish
// and PowerShell ask with --descriptions: a subcommand or flag then comes as `WORD<tab>WHAT IT DOES`.

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
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

// compadd -d shows "WORD  -- WHAT IT DOES" (padded to a column) and inserts WORD.
const ZSH = `#compdef mcp-cli
# mcp-cli completion for zsh: eval "$(mcp-cli completion zsh)" in ~/.zshrc (after compinit),
# or save it as _mcp-cli in a directory of $fpath.
_mcp_cli() {
  local -a lines candidates shown
  local line word width=0
  lines=("\${(@f)$(command mcp-cli __complete --descriptions -- "\${(@)words[2,CURRENT]}" 2>/dev/null </dev/null)}")
  if [[ \${lines[1]} == ":files" ]]; then
    _files
    return
  fi
  for line in "\${lines[@]}"; do
    [[ -n $line ]] || continue
    word=\${line%%$'\\t'*}
    candidates+=("$word")
    (( \${#word} > width )) && width=\${#word}
  done
  (( \${#candidates} )) || return 1
  for line in "\${lines[@]}"; do
    [[ -n $line ]] || continue
    word=\${line%%$'\\t'*}
    if [[ $line == *$'\\t'* ]]; then
      shown+=("\${(r:width:)word}  -- \${line#*$'\\t'}")
    else
      shown+=("$word")
    fi
  done
  if [[ \${lines[*]} == *$'\\t'* ]]; then
    compadd -l -d shown -- "\${candidates[@]}"
  else
    compadd -- "\${candidates[@]}"
  fi
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _mcp_cli "$@"
else
  compdef _mcp_cli mcp-cli
fi
`;

// fish reads WORD<tab>DESCRIPTION from a completion function as a candidate and its description.
const FISH = `# mcp-cli completion for fish: mcp-cli completion fish | source (or save it in ~/.config/fish/completions/mcp-cli.fish)
function __mcp_cli_complete
  set -l words (commandline -opc)[2..-1] (commandline -ct)
  set -l out (command mcp-cli __complete --descriptions -- $words 2>/dev/null </dev/null)
  if test "$out" = ":files"
    __fish_complete_path (commandline -ct)
  else
    printf '%s\\n' $out
  end
end
complete -c mcp-cli -f -a '(__mcp_cli_complete)'
`;

// The words before the cursor come from the command's syntax tree (quotes removed); the word being
// completed goes in --current=WORD, never as an argument of its own: Windows PowerShell, and a
// .cmd launcher, drop an empty argument.
const POWERSHELL = `# mcp-cli completion for PowerShell: mcp-cli completion powershell | Out-String | Invoke-Expression
# (add that line to $PROFILE to keep it)
Register-ArgumentCompleter -Native -CommandName mcp-cli -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $words = @()
  foreach ($element in $commandAst.CommandElements | Select-Object -Skip 1) {
    if ($element.Extent.StartOffset -ge $cursorPosition) { break }
    if ($element.Extent.EndOffset -ge $cursorPosition -and $wordToComplete -ne '') { break }
    if ($element -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $words += $element.Value }
    else { $words += $element.Extent.Text }
  }
  $lines = @(& mcp-cli __complete --descriptions "--current=$wordToComplete" -- @words 2>$null)
  if ($lines.Count -eq 1 -and $lines[0] -eq ':files') {
    [System.Management.Automation.CompletionCompleters]::CompleteFilename($wordToComplete)
    return
  }
  foreach ($line in $lines) {
    if ($line -eq '') { continue }
    $word, $description = $line -split "\`t", 2
    $kind = if ($word.StartsWith('-')) { 'ParameterName' } else { 'ParameterValue' }
    $tip = if ($description) { $description } else { $word }
    [System.Management.Automation.CompletionResult]::new($word, $word, $kind, $tip)
  }
}
`;

export const SCRIPTS: Record<Shell, string> = { bash: BASH, zsh: ZSH, fish: FISH, powershell: POWERSHELL };
