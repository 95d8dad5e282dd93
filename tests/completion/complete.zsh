# Prints the candidates zsh offers for a command line, one a line.
# usage: zsh -f complete.zsh COMPLETION-DIR 'COMMAND LINE'   (completed at its end)
# An interactive zsh in a pseudo-terminal (zsh/zpty) loads compinit with the
# directory first in fpath, types the line and a TAB; a compadd wrapper
# prints every match the completion function adds.
zmodload zsh/zpty || exit 3
dir=$1 line=$2 out=

# Reads the terminal until it shows $1 (10 s at most).
waitfor() {
    local chunk i
    for i in {1..400}; do
        if zpty -r -t z chunk 2>/dev/null; then
            out+=$chunk
            [[ $out == *$1* ]] && return 0
        else
            sleep 0.025
        fi
    done
    return 1
}

zpty z zsh -f -i
# The markers are written split ('<rea''dy>') so that the echo of the
# typed command does not match them.
zpty -w z "PS1= PS2= RPS1=; fpath=($dir \$fpath); autoload -U compinit; compinit -u -D; print '<rea''dy1>'"
waitfor '<ready1>' || exit 4
zpty -w z "compadd() { builtin compadd -O __hits \"\$@\"; local h; for h in \$__hits; do print -r -- \"<hit>\$h</hit>\"; done; builtin compadd \"\$@\" }; print '<rea''dy2>'"
waitfor '<ready2>' || exit 5
out=
zpty -w -n z "$line"$'\t'
sleep 0.5
zpty -w -n z $'\C-u'
zpty -w z "print '<do''ne>'"
waitfor '<done>' || exit 6
zpty -d z
print -r -- $out | tr -d '\r' | grep -o '<hit>[^<]*</hit>' | sed 's/^<hit>//; s/<\/hit>$//' | sort -u
