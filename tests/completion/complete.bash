# Prints the candidates bash offers for a command line, one a line.
# usage: bash complete.bash COMPLETION-FILE WORD...   (the last WORD is completed; "" for a new word)
# Loads bash-completion as an interactive shell does, then the file under test.
source /usr/share/bash-completion/bash_completion || exit 3
source "$1" || exit 4
shift
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
_gpudiag gpudiag "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
