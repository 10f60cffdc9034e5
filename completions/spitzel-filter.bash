_spitzel__filter() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="spitzel__filter"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        spitzel__filter)
            opts="-m -i -v -c -q -j -h -V --implied --match --sigma --annotate --sigma-level --sigma-alerts --live --sigma-memory --input --from --to --last-minute --last --invert-match --count --quiet --unique --limit --threads --max-record-size --strict --stats --emit-sql --sql-table --sql-order --sql-skip-refused --sql-ddl --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --match)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -m)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sigma)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sigma-level)
                    COMPREPLY=($(compgen -W "informational low medium high critical" -- "${cur}"))
                    return 0
                    ;;
                --sigma-memory)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --input)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -i)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --from)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --to)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --last-minute)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --last)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --limit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --threads)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -j)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-record-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --emit-sql)
                    COMPREPLY=($(compgen -W "athena spark duckdb" -- "${cur}"))
                    return 0
                    ;;
                --sql-table)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sql-order)
                    COMPREPLY=($(compgen -W "time" -- "${cur}"))
                    return 0
                    ;;
                --sql-ddl)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _spitzel__filter -o nosort -o bashdefault -o default spitzel-filter
else
    complete -F _spitzel__filter -o bashdefault -o default spitzel-filter
fi
